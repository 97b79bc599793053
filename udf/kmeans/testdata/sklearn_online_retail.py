# Reference values for udf/kmeans TestOnlineRetailAgainstScikitLearn (scikit-learn 1.2.1, pandas 1.5.3).
# Standard cleaning, recency = whole days to (last date + 1 day), frequency = distinct invoices, monetary = sum(qty*price).
import pandas as pd, numpy as np
df = pd.read_csv('/work/shared/data/online_retail.csv.gz', dtype={'CustomerID':str,'InvoiceNo':str})
df = df[df.CustomerID.notna() & ~df.InvoiceNo.str.startswith('C') & (df.Quantity>0) & (df.UnitPrice>0)]
df['InvoiceDate'] = pd.to_datetime(df.InvoiceDate)
df['amt'] = df.Quantity*df.UnitPrice
snap = df.InvoiceDate.max() + pd.Timedelta(days=1)
g = df.groupby('CustomerID').agg(last=('InvoiceDate','max'), f=('InvoiceNo','nunique'), m=('amt','sum'))
r1 = (snap - g['last']).dt.days
r2 = (df.InvoiceDate.max().normalize() - g['last'].dt.normalize()).dt.days
r3 = (snap.normalize() - g['last'].dt.normalize()).dt.days
print(len(g), r1.sum(), r2.sum(), r3.sum(), g.f.sum(), g.m.sum())
from sklearn.preprocessing import StandardScaler
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score, davies_bouldin_score, calinski_harabasz_score
X = StandardScaler().fit_transform(np.log1p(np.column_stack([r1.values, g.f.values, g.m.values])))
for k in range(2,7):
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
    print(k, repr(km.inertia_), repr(silhouette_score(X, km.labels_)), repr(davies_bouldin_score(X, km.labels_)), repr(calinski_harabasz_score(X, km.labels_)))
